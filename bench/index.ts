/**
 * `npm run bench`: runs every benchmark module in sequence (never in parallel, so they do not compete
 * for the two cores) and prints their figures. Each module exports `run(): Promise<void>`; add new ones
 * to BENCHMARKS. `npm run bench -- scorer` runs only the named modules.
 */
interface BenchModule {
  readonly run: () => Promise<void>;
}

const BENCHMARKS: Readonly<Record<string, () => Promise<BenchModule>>> = {
  scorer: () => import('./scorer'),
  inference: () => import('./inference'),
  drift: () => import('./drift'),
};

async function main(selected: readonly string[]): Promise<void> {
  const unknown = selected.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    throw new Error(
      `unknown benchmark(s): ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}`,
    );
  }
  const names = selected.length > 0 ? selected : Object.keys(BENCHMARKS);
  console.log(`node ${process.version}, ${new Date().toISOString()}`);
  for (const name of names) {
    console.log(`\n== ${name} ==`);
    const module = await BENCHMARKS[name]();
    await module.run();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
