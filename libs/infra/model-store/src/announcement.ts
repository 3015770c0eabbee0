/** What a `cvp.models.v1` announcement names: a version, its artifact and the artifact's checksum. */
export interface AnnouncedArtifact {
  version: string;
  artifactUri: string;
  artifactSha256: string;
}

/** The registry's side (PostgreSQL `model_versions`, through Prisma): what was recorded for a version. */
export interface ModelRegistryReader {
  modelVersion: {
    findUnique(args: {
      where: { version: string };
      select: { artifactUri: true; artifactSha256: true };
    }): Promise<{ artifactUri: string; artifactSha256: string | null } | null>;
  };
}

/**
 * The artifact checksum the registry recorded for an announced version. The registry, not the topic, is the authority
 * on what was published: an announcement naming another artifact or checksum, or a version the registry does not hold
 * with a checksum, is refused (thrown), so whoever can write to cvp.models.v1 cannot make a service load anything else.
 */
export async function recordedChecksum(
  registry: ModelRegistryReader | undefined,
  announced: AnnouncedArtifact,
): Promise<string> {
  if (!registry) throw new Error(`model ${announced.version} refused: no model registry to check it against`);
  const recorded = await registry.modelVersion.findUnique({
    where: { version: announced.version },
    select: { artifactUri: true, artifactSha256: true },
  });
  if (!recorded?.artifactSha256) {
    throw new Error(`model ${announced.version} refused: the registry holds no such version with a checksum`);
  }
  if (recorded.artifactUri !== announced.artifactUri || recorded.artifactSha256 !== announced.artifactSha256) {
    throw new Error(`model ${announced.version} refused: the announcement differs from the registry`);
  }
  return recorded.artifactSha256;
}
