import { z } from 'zod';
import { isoDateTime } from '@cvp/contracts';

/** Body of `POST /v1/train` and `params` of a `train` command on cvp.commands.v1. Everything is optional. */
export const trainRequestSchema = z
  .object({
    /** Data window [from, to); default: TRAIN_WINDOW_DAYS ending just after the newest stored event. */
    from: isoDateTime.optional(),
    to: isoDateTime.optional(),
    horizonDays: z.number().int().min(1).max(3650).optional(),
    seed: z.number().int().optional(),
    maxEpochs: z.number().int().min(1).max(10_000).optional(),
    /** Publish even when the candidate does not beat the published model (an operator's override). */
    force: z.boolean().optional(),
  })
  .strict()
  .refine((request) => !request.from || !request.to || Date.parse(request.from) < Date.parse(request.to), {
    message: 'from must be before to',
    path: ['from'],
  });
export type TrainRequest = z.output<typeof trainRequestSchema>;
