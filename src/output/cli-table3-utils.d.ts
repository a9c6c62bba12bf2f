// cli-table3's own width function (src/utils.js, CommonJS; the package ships no types for it).
declare module 'cli-table3/src/utils.js' {
  const utils: { strlen(s: string): number };
  export default utils;
}
