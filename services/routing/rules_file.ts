/** Loading the rules file and reloading it when it changes, whole or not at all. */
import type { Logger } from "../../shared/log.ts";
import { parseRules, type RuleSet } from "./rules.ts";

/** Reads and checks a rules file. */
export async function loadRules(path: string): Promise<RuleSet> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `Cannot load routing rules: ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
  return parseRules(text, path);
}

/**
 * Holds the rules in use and polls the file every `intervalMs`; a changed file that is valid
 * replaces the rules in one assignment, an invalid one is logged and ignored.
 */
export class RulesHolder {
  #rules: RuleSet;
  #mtime = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  constructor(rules: RuleSet, private readonly path: string, private readonly log: Logger) {
    this.#rules = rules;
  }
  /** The rules in use now. */
  current = (): RuleSet => this.#rules;
  /** Checks the file once; returns true when new rules took effect. */
  async check(): Promise<boolean> {
    const stat = await Deno.stat(this.path).catch(() => undefined);
    const mtime = stat?.mtime?.getTime() ?? 0;
    if (!stat || mtime === this.#mtime) return false;
    const first = this.#mtime === 0;
    this.#mtime = mtime;
    if (first) return false;
    try {
      this.#rules = await loadRules(this.path);
      this.log.info("routing rules reloaded", {
        path: this.path,
        rules: this.#rules.file.rules.length,
      });
      return true;
    } catch (error) {
      this.log.error("routing rules not reloaded; keeping the rules in use", {
        error: String(error),
      });
      return false;
    }
  }
  /** Starts polling. */
  watch(intervalMs = 1000): void {
    this.check();
    this.#timer = setInterval(() => this.check(), intervalMs);
  }
  stop(): void {
    clearInterval(this.#timer);
  }
}
