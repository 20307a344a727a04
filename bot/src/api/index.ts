import type { Services } from '@switchboard/shared';
import type { Operation } from '../http/operation';
import { activityOperations } from './activity';
import { directoryOperations } from './directory';
import { enterpriseOperations } from './enterprises';
import { meOperations } from './me';
import { userOperations } from './users';

/** Every admin API operation; mounted on the server and described in the OpenAPI document. */
export function adminOperations(services: Services): Operation[] {
  return [...meOperations(), ...enterpriseOperations(services), ...activityOperations(services), ...userOperations(services), ...directoryOperations(services)];
}
