import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
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

  /**
   * Writes the artifact of `version`; returns its URI (`file:///…/<version>`) and its checksum (`artifactChecksum`),
   * which the registry records so that a scorer can tell the artifact it loads is the one the trainer wrote.
   */
  async save(
    version: string,
    model: ZilnModel,
    metadata: object,
    /** Further files of the version (name -> text), e.g. the recommender trained beside the value model. */
    files: Record<string, string> = {},
  ): Promise<{ uri: string; sha256: string }> {
    await mkdir(this.root, { recursive: true });
    const folder = join(this.root, artifactFolderName(version));
    if (await exists(folder)) throw new Error(`model store already holds ${version} (${folder})`);
    const partial = join(this.root, `.partial-${artifactFolderName(version)}-${randomUUID()}`);
    let sha256: string;
    try {
      await saveZilnModel(partial, model, metadata);
      for (const [name, text] of Object.entries(files)) {
        if (!/^[a-z0-9][a-z0-9._-]*\.json$/.test(name) || RESERVED.has(name))
          throw new Error(`bad artifact file name ${name}`);
        await writeFile(join(partial, name), text);
      }
      sha256 = await artifactChecksum(partial);
      await rename(partial, folder);
    } catch (error) {
      await rm(partial, { recursive: true, force: true });
      throw error;
    }
    return { uri: pathToFileURL(folder).href, sha256 };
  }

  /**
   * Loads an artifact by the URI `save` returned, refusing (`ArtifactRefused`) one outside this store (symbolic links
   * resolved) or whose files do not hash to `sha256`: an announcement on cvp.models.v1 cannot make a scorer load
   * whatever path it names.
   */
  async load<M = Record<string, unknown>>(
    artifactUri: string,
    sha256: string,
    /** Further files to read (those `save` was given); one the version lacks is left out of `files`. */
    names: string[] = [],
  ): Promise<{ model: ZilnModel; metadata: M; files: Record<string, string> }> {
    const files = await this.loadFiles(artifactUri, sha256, names);
    return { ...(await loadZilnModel<M>(await this.inside(artifactUri))), files };
  }

  /**
   * Reads further files of a version (those `save` was given), checked like `load` but without loading the value
   * model: for a process that serves only one part of a version (the review-text worker's review-sentiment head).
   */
  async loadFiles(artifactUri: string, sha256: string, names: string[]): Promise<Record<string, string>> {
    const folder = await this.inside(artifactUri);
    const actual = await artifactChecksum(folder);
    if (actual !== sha256) {
      throw new ArtifactRefused(`artifact ${artifactUri} hashes to ${actual}, the registry recorded ${sha256}`);
    }
    const files: Record<string, string> = {};
    for (const name of names) {
      const text = await readFile(join(folder, name), 'utf8').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (text !== null) files[name] = text;
    }
    return files;
  }

  private async inside(artifactUri: string): Promise<string> {
    let folder: string;
    try {
      folder = await realpath(artifactPath(artifactUri));
    } catch (error) {
      throw new ArtifactRefused(`artifact ${artifactUri}: ${(error as Error).message}`);
    }
    const root = await realpath(this.root).catch(() => this.root);
    const path = relative(root, folder);
    if (path === '' || path.startsWith('..') || isAbsolute(path)) {
      throw new ArtifactRefused(`artifact ${artifactUri} is outside the model store ${this.root}`);
    }
    return folder;
  }
}

/** Files of the value model itself, which `save`'s further files may not replace. */
const RESERVED = new Set(['model.json', 'metadata.json', 'normalization.json']);

/** An artifact this store will not load: outside it, or not the bytes the registry recorded. */
export class ArtifactRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactRefused';
  }
}

/** SHA-256 over an artifact folder's files, in name order: each file's name, a NUL, its length, a NUL, its bytes. */
export async function artifactChecksum(folder: string): Promise<string> {
  const hash = createHash('sha256');
  const names = (await readdir(folder, { withFileTypes: true }))
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
  for (const name of names) {
    const bytes = await readFile(join(folder, name));
    hash.update(`${name}\0${bytes.length}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
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
