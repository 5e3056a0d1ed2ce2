import type { Migration } from '../../../platform/db';

export const migrations: Migration[] = [];
