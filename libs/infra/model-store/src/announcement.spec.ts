import { recordedChecksum, type ModelRegistryReader } from './announcement';

const announced = { version: 'ziln@1', artifactUri: 'file:///models/ziln@1', artifactSha256: 'a'.repeat(64) };
const registry = (row: { artifactUri: string; artifactSha256: string | null } | null): ModelRegistryReader => ({
  modelVersion: { findUnique: async () => row },
});

describe('recordedChecksum', () => {
  it("answers the registry's checksum when the announcement is what it recorded", async () => {
    await expect(recordedChecksum(registry({ ...announced }), announced)).resolves.toBe('a'.repeat(64));
  });

  it('refuses an announcement the registry does not back', async () => {
    await expect(recordedChecksum(undefined, announced)).rejects.toThrow(/no model registry/);
    await expect(recordedChecksum(registry(null), announced)).rejects.toThrow(/holds no such version/);
    await expect(recordedChecksum(registry({ ...announced, artifactSha256: null }), announced)).rejects.toThrow(
      /holds no such version/,
    );
    await expect(
      recordedChecksum(registry({ ...announced, artifactUri: 'file:///elsewhere' }), announced),
    ).rejects.toThrow(/differs from the registry/);
    await expect(
      recordedChecksum(registry({ ...announced, artifactSha256: 'b'.repeat(64) }), announced),
    ).rejects.toThrow(/differs from the registry/);
  });
});
