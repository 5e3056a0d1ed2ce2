/** Who may call review's internal (`@inaccessible`) fields; enforced by platform/internal-callers.ts. It has none. */
import type { InternalCallers } from '../../platform/internal-callers';

export const internalCallers: InternalCallers = {};
