export declare function buildAll(out?: string): Promise<void>;
