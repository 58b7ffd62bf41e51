/** Small helpers shared by the CLIs in tools/: failing with a clear line, progress on stderr. */

/** Prints `message` (and the usage text) to stderr and exits with code 2. */
export function fail(message: string, usage?: string): never {
  console.error(`error: ${message}`);
  if (usage) console.error(`\n${usage}`);
  Deno.exit(2);
}

/** A progress printer that redraws one line on a terminal and prints every 10% otherwise. */
export function progressLine(label: string): (phase: string, done: number, total: number) => void {
  const tty = Deno.stderr.isTerminal();
  let lastDecile = -1;
  const encoder = new TextEncoder();
  return (phase, done, total) => {
    const pct = Math.floor((done / Math.max(1, total)) * 100);
    if (tty) {
      Deno.stderr.writeSync(
        encoder.encode(`\r${label}: ${phase} ${done}/${total} (${pct}%)\x1b[K`),
      );
      if (done === total) Deno.stderr.writeSync(encoder.encode("\n"));
    } else if (Math.floor(pct / 10) !== lastDecile || done === total) {
      lastDecile = Math.floor(pct / 10);
      console.error(`${label}: ${phase} ${done}/${total} (${pct}%)`);
    }
  };
}

/** Reads a text file or fails with a clear line naming it. */
export function readText(path: string, what: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    fail(`cannot read ${what} ${path}: ${error instanceof Error ? error.message : error}`);
  }
}
