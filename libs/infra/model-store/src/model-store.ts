import { randomUUID } from 'node:crypto';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ZilnModel } from '@cvp/model';
import { loadZilnModel, saveZilnModel } from './fs-io';

/** A model version's folder name: the version with anything but letters, digits, `.`, `_`, `-`, `@` replaced. */
export const artifactFolderName = (version: string) => version.replace(/[^A-Za-z0-9._@-]/g, '_');

/**
 * The model store: one folder per model version under a root folder (a volume shared by the trainer, which
 * writes, and the scorers, which read). A version is written under a temporary name and renamed into place, so
 * a reader never sees half an artifact, and an artifact is never overwritten.
 */
export class ModelStore {
  readonly root: string;

  constructor(root: string) {
    this.root = isAbsolute(root) ? root : resolve(root);
  }

  /** Writes the artifact of `version` and returns its URI (`file:///…/<version>`). */
  async save(version: string, model: ZilnModel, metadata: object): Promise<string> {
    await mkdir(this.root, { recursive: true });
    const folder = join(this.root, artifactFolderName(version));
    if (await exists(folder)) throw new Error(`model store already holds ${version} (${folder})`);
    const partial = join(this.root, `.partial-${artifactFolderName(version)}-${randomUUID()}`);
    try {
      await saveZilnModel(partial, model, metadata);
      await rename(partial, folder);
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      throw error;
    }
    return pathToFileURL(folder).href;
  }

  /** Loads an artifact by the URI `save` returned. */
  static async load<M = Record<string, unknown>>(artifactUri: string): Promise<{ model: ZilnModel; metadata: M }> {
    return loadZilnModel<M>(artifactPath(artifactUri));
  }
}

/** The folder of a `file://` artifact URI (the only scheme the store writes). */
export function artifactPath(artifactUri: string): string {
  let url: URL;
  try {
    url = new URL(artifactUri);
  } catch {
    throw new Error(`artifact URI ${JSON.stringify(artifactUri)} is not a URI`);
  }
  if (url.protocol !== 'file:') throw new Error(`artifact URI ${artifactUri}: only file:// URIs are supported`);
  return fileURLToPath(url);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
