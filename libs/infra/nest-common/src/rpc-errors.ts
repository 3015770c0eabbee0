import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Hands a consumer handler's error to the Kafka transport as it was thrown. Nest's default RPC filter turns any
 * error that is not an RpcException into `{ status: 'error', message: 'Internal server error' }`, and the transport
 * would then dead-letter a record with that instead of the cause.
 */
@Catch()
export class RpcErrorPassthrough implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
