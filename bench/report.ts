/** One measured figure, printed as one JSON line so runs can be compared by tools. */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}

export function report(figure: Figure): void {
  process.stdout.write(JSON.stringify({ ...figure, value: Math.round(figure.value * 100) / 100 }) + '\n');
}

/** Runs `task` for each of `count` items with at most `concurrency` in flight. */
export async function pool(count: number, concurrency: number, task: (index: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await task(next++);
    }),
  );
}
