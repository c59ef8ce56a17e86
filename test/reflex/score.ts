// Scores the everyday reflexes from the command line: `tuning` prints the tuning parts' figures
// with every missed paraphrase and wrong answer; `held-out` prints the held-out parts' totals only
// (precision, recall, wrong answers, near misses answered), never a case, so tuning stays blind.
//   npx node test/reflex/score.ts tuning|held-out
import { localEmbedder } from '../../agent/reflex/embedder.ts';
import { HELD_OUT_PARTS, measureEveryday, type PartFigures, TUNING_PARTS } from './everyday.ts';

/** One part's totals on one line. */
function totals(name: string, f: PartFigures): string {
  const answered = f.correct + f.wrong.length;
  const precision = answered ? f.correct / answered : 1;
  return `${name}: precision ${precision.toFixed(3)} (${f.correct}/${answered}), recall ${(f.correct / f.paraphrases).toFixed(3)} (${f.correct}/${f.paraphrases}), wrong ${f.wrong.length}, near misses answered ${f.nearMissesAnswered} of ${f.nearMisses}`;
}

async function main(which: string | undefined): Promise<void> {
  if (which !== 'tuning' && which !== 'held-out') throw new Error('usage: score.ts tuning|held-out');
  const names = which === 'tuning' ? TUNING_PARTS : HELD_OUT_PARTS;
  const m = await measureEveryday(localEmbedder, undefined, names);
  for (const name of names) {
    const f = m.parts[name];
    if (!f) continue;
    console.log(totals(name, f));
    if (which === 'tuning') for (const line of [...f.wrong.map((w) => `  WRONG ${w}`), ...f.missed.map((p) => `  missed ${p}`)]) console.log(line);
  }
  console.log(`new-value probes: ${m.probes.correct} right, ${m.probes.wrong.length} wrong, of ${m.probes.asked}`);
  if (which === 'tuning') for (const w of m.probes.wrong) console.log(`  WRONG ${w}`);
}

await main(process.argv[2]);
