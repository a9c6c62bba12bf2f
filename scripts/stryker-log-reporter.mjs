// A StrykerJS reporter for `npm run mutate`: appends one JSON line per tested mutant to
// reports/mutation/<set>.jsonl as it goes, so that a run stopped before the end still leaves
// every result it reached (StrykerJS's own reports are written only at the end).
import { appendFileSync, mkdirSync } from 'node:fs';
import { PluginKind, declareClassPlugin } from '@stryker-mutator/api/plugin';

class AppendLogReporter {
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

export const strykerPlugins = [declareClassPlugin(PluginKind.Reporter, 'append-log', AppendLogReporter)];
