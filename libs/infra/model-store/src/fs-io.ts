import * as tf from '@tensorflow/tfjs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ZilnModel, type Normalization } from '@cvp/model';

/**
 * A tf.io.IOHandler for a folder (pure tfjs has no file:// handler) and the artifact layout
 * `model.json` + `weights.bin` + `normalization.json` + `metadata.json`.
 */
export function fileSystemHandler(folder: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('binary model topologies are not supported');
      await mkdir(folder, { recursive: true });
      const weights = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(folder, 'model.json'), JSON.stringify(modelJson));
      await writeFile(join(folder, 'weights.bin'), new Uint8Array(weights));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const modelJson = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')) as tf.io.ModelJSON;
      const weightSpecs = modelJson.weightsManifest.flatMap((group) => group.weights);
      const buffers = await Promise.all(
        modelJson.weightsManifest.flatMap((group) => group.paths).map((path) => readFile(join(folder, path))),
      );
      const bytes = Buffer.concat(buffers);
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        generatedBy: modelJson.generatedBy,
        convertedBy: modelJson.convertedBy,
        weightSpecs,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      };
    },
  };
}

export async function saveZilnModel(folder: string, model: ZilnModel, metadata: object): Promise<void> {
  await model.network.save(fileSystemHandler(folder));
  await writeFile(join(folder, 'normalization.json'), `${JSON.stringify(model.normalization, null, 2)}\n`);
  await writeFile(join(folder, 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
}

export async function loadZilnModel<M = Record<string, unknown>>(
  folder: string,
): Promise<{ model: ZilnModel; metadata: M }> {
  const network = await tf.loadLayersModel(fileSystemHandler(folder));
  const normalization = JSON.parse(await readFile(join(folder, 'normalization.json'), 'utf8')) as Normalization;
  const metadata = JSON.parse(await readFile(join(folder, 'metadata.json'), 'utf8')) as M;
  return { model: new ZilnModel(network, normalization), metadata };
}
