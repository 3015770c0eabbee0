import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { PinoLogger } from 'nestjs-pino';
import { TOPICS, validate } from '@cvp/contracts';
import { PermanentError, type BatchOf } from '@cvp/kafka';
import { trainRequestSchema } from './train-request';
import { TrainingService } from './training.service';

/** Commands older than this are history (a new consumer group reads the topic from the start): not acted on. */
const STALE_AFTER_MS = 60 * 60_000;

/** cvp.commands.v1 `train` commands start a run, like POST /v1/train; one already running wins. */
@Controller()
export class CommandsConsumer {
  constructor(
    private readonly training: TrainingService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext(CommandsConsumer.name);
  }

  @EventPattern(TOPICS.commands)
  async onCommands(@Payload() batch: BatchOf<typeof TOPICS.commands>): Promise<void> {
    for (const { value: command } of batch.records) {
      if (command.type !== 'train') continue;
      const parsed = validate(trainRequestSchema, command.params);
      if (!parsed.ok) {
        throw new PermanentError(
          `train command ${command.commandId}: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
        );
      }
      if (Date.now() - Date.parse(command.requestedAt) > STALE_AFTER_MS) {
        this.logger.info({ commandId: command.commandId }, 'stale train command skipped');
        continue;
      }
      try {
        const started = await this.training.start(parsed.value, `command ${command.commandId}`);
        this.logger.info({ commandId: command.commandId, version: started.version }, 'train command started a run');
      } catch (error) {
        this.logger.warn({ commandId: command.commandId, error: (error as Error).message }, 'train command not run');
      }
    }
  }
}
