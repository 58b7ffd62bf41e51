/** Loading the model file, and keeping the current model swappable for reloads. */
import { checkModel, type Model } from "./model.ts";

/** Reads and checks a model file. */
export async function loadModel(path: string): Promise<Model> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new Error(
      `Cannot load the model: ${path}: ${error instanceof Error ? error.message : error}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`Cannot load the model: ${path} is not JSON`);
  }
  return checkModel(value, path);
}

/** Holds the model in use; `reload()` swaps it only when the new file is valid. */
export class ModelHolder {
  constructor(private model: Model, private readonly path: string) {}
  /** The model in use now. */
  current = (): Model => this.model;
  /** Loads the file again; on error the old model stays and the error is thrown. */
  async reload(): Promise<Model> {
    this.model = await loadModel(this.path);
    return this.model;
  }
}
