import { Injectable } from '@nestjs/common';
import { PrismaService, type ModelVersion, type Prisma } from '@cvp/db';

/** The model registry: one `model_versions` row per training run, from `training` to its outcome. */
@Injectable()
export class ModelRegistry {
  constructor(private readonly prisma: PrismaService) {}

  startRun(run: {
    version: string;
    algorithm: string;
    featureSchemaVersion: string;
    from: Date;
    to: Date;
    request: object;
  }): Promise<ModelVersion> {
    return this.prisma.modelVersion.create({
      data: {
        version: run.version,
        status: 'training',
        algorithm: run.algorithm,
        featureSchemaVersion: run.featureSchemaVersion,
        trainedFrom: run.from,
        trainedTo: run.to,
        metrics: { request: run.request } as Prisma.InputJsonValue,
        artifactUri: '',
      },
    });
  }

  /**
   * Records the outcome of a finished run, in one transaction: publishing the value model retires the version
   * published before, so at most one version is ever `published`; publishing its recommender (apart: a rejected value
   * model may carry a better recommender) stamps `recommenderPublishedAt`, and the newest stamp is the one served.
   */
  async finishRun(
    version: string,
    outcome: {
      publish: boolean;
      publishRecommender: boolean;
      artifactUri: string;
      artifactSha256: string;
      metrics: object;
      tierThresholds: object;
    },
  ): Promise<ModelVersion> {
    const now = new Date();
    const data = {
      artifactUri: outcome.artifactUri,
      artifactSha256: outcome.artifactSha256,
      metrics: outcome.metrics as Prisma.InputJsonValue,
      tierThresholds: outcome.tierThresholds as Prisma.InputJsonValue,
      ...(outcome.publishRecommender ? { recommenderPublishedAt: now } : {}),
    };
    if (!outcome.publish) {
      return this.prisma.modelVersion.update({ where: { version }, data: { ...data, status: 'rejected' } });
    }
    const [, published] = await this.prisma.$transaction([
      this.prisma.modelVersion.updateMany({
        where: { status: 'published', version: { not: version } },
        data: { status: 'retired' },
      }),
      this.prisma.modelVersion.update({
        where: { version },
        data: { ...data, status: 'published', publishedAt: now },
      }),
    ]);
    return published;
  }

  async failRun(version: string, error: string): Promise<void> {
    const row = await this.prisma.modelVersion.findUnique({ where: { version } });
    const metrics = { ...((row?.metrics as object | null) ?? {}), error };
    await this.prisma.modelVersion.update({
      where: { version },
      data: { status: 'failed', metrics: metrics as Prisma.InputJsonValue },
    });
  }

  /** Runs left in `training` by a trainer that stopped (one trainer runs at a time): marked failed. */
  async failInterruptedRuns(except: string | null): Promise<string[]> {
    const stale = await this.prisma.modelVersion.findMany({
      where: { status: 'training', ...(except ? { version: { not: except } } : {}) },
      select: { version: true },
    });
    for (const { version } of stale) await this.failRun(version, 'the trainer stopped before the run finished');
    return stale.map(({ version }) => version);
  }

  published(): Promise<ModelVersion | null> {
    return this.prisma.modelVersion.findFirst({ where: { status: 'published' }, orderBy: { publishedAt: 'desc' } });
  }

  /** The version whose recommender is served: the newest published recommender (null before one is). */
  servedRecommender(): Promise<ModelVersion | null> {
    return this.prisma.modelVersion.findFirst({
      where: { recommenderPublishedAt: { not: null } },
      orderBy: { recommenderPublishedAt: 'desc' },
    });
  }

  latest(): Promise<ModelVersion | null> {
    return this.prisma.modelVersion.findFirst({ orderBy: { createdAt: 'desc' } });
  }

  get(version: string): Promise<ModelVersion | null> {
    return this.prisma.modelVersion.findUnique({ where: { version } });
  }

  list(limit: number): Promise<ModelVersion[]> {
    return this.prisma.modelVersion.findMany({ orderBy: { createdAt: 'desc' }, take: limit });
  }
}
