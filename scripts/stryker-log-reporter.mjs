// A StrykerJS reporter for `npm run mutate`: appends one JSON line per tested mutant to
// reports/mutation/<set>.jsonl as it goes, so that a run stopped before the end still leaves
// every result it reached (StrykerJS's own reports are written only at the end).
import { appendFileSync, mkdirSync } from 'node:fs';

class AppendLogReporter {
  static inject = [];
  file = `reports/mutation/${process.env.ARK_MUTATE_SET ?? 'engine'}.jsonl`;
  onMutantTested(m) {
    mkdirSync('reports/mutation', { recursive: true });
    const { id, fileName, mutatorName, replacement, location, status, statusReason } = m;
    appendFileSync(
      this.file,
      JSON.stringify({
        id,
        file: fileName.replace(`${process.cwd()}/`, ''),
        line: location.start.line + 1,
        mutatorName,
        replacement,
        status,
        statusReason: statusReason?.slice(0, 200),
      }) + '\n',
    );
  }
}

// What @stryker-mutator/api's declareClassPlugin(PluginKind.Reporter, …) returns, written out: StrykerJS
// is fetched on demand (scripts/mutate.sh), so its api package is not resolvable from here.
export const strykerPlugins = [{ kind: 'Reporter', name: 'append-log', injectableClass: AppendLogReporter }];
