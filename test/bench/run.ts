/**
 * `npm run bench -- NAME [flags]` runs test/bench/NAME.ts; `npm run bench` runs every benchmark
 * in DEFAULTS with its quick flags. Each benchmark module exports `run(argv: string[])` and
 * prints JSON lines (ratios against a reference measured in the same run).
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

interface BenchModule {
  run(argv: string[]): Promise<void>;
  /** Flags used when the benchmark runs as part of `npm run bench` with no name. */
  defaultArgs?: string[];
}

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();

async function load(name: string): Promise<BenchModule> {
  return (await import(`./${name}.ts`)) as BenchModule;
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  if (name && !available.includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${available.join(', ')}`);
    process.exit(2);
  }
  const names = name ? [name] : available;
  for (const n of names) {
    const mod = await load(n);
    const argv = name ? rest : (mod.defaultArgs ?? []);
    console.error(`# ${n} ${argv.join(' ')}`);
    await mod.run(argv);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
