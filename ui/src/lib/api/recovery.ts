import { call } from "./invoke";
import type { StartupProblemDto } from "./bindings/StartupProblemDto";
import type { RecoverRequest } from "./bindings/RecoverRequest";
import type { RecoveredDto } from "./bindings/RecoveredDto";

export type { StartupProblemDto, RecoverRequest, RecoveredDto };

/** Why the library did not open at start (null when it did). */
export const startupProblem = () => call<StartupProblemDto | null>("startup_problem");

/** Restores `backup` in place of the damaged database, or (null) starts an empty library; the
 * damaged file is kept aside either way. The library is open afterwards. */
export const recoverDatabase = (backup: string | null) =>
  call<RecoveredDto>("recover_database", { request: { backup } satisfies RecoverRequest });
