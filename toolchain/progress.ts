// Progress of long work (component builds): one rewritten line on a terminal, plain lines in logs.
export type ProgressReporter = {
  start(total: number, label: string): void;
  step(item: string, detail: string): void;
  done(summary: string): void;
};

export function consoleProgress(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  let total = 0;
  let finished = 0;
  let label = '';
  const tty = stream.isTTY === true;
  const write = (line: string, final: boolean) => {
    if (tty) stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
    else stream.write(line + '\n');
  };
  return {
    start(count, what) {
      total = count;
      finished = 0;
      label = what;
      write(`${label}: 0/${total}`, false);
    },
    step(item, detail) {
      finished += 1;
      write(`${label}: ${finished}/${total} ${item} (${detail})`, !tty);
    },
    done(summary) {
      write(`${label}: ${summary}`, true);
    },
  };
}

export const silentProgress: ProgressReporter = { start() {}, step() {}, done() {} };
