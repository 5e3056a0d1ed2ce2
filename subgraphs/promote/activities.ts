/** Welfare activities: staff input rules and thin resolvers (spread into resolvers.ts); SQL in data/activities.ts. */
import { requireScope } from '../../platform/context';
import { badInput, notFound } from '../../platform/errors';
import { isBigintId } from '../../platform/loaders';
import { STAFF_SCOPE } from './admin-resolvers';
import { deleteActivity, findRunningActivities, insertActivity, type ActivityRow, type NewActivity } from './data/activities';
import type { ActivityInput, ActivityResolvers, MutationResolvers, QueryResolvers } from './generated/resolvers-types';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/;

function text(value: string | null | undefined, field: string, max: number, required: boolean): string | null {
  const trimmed = value?.trim() ?? '';
  if (trimmed.includes('\u0000')) throw badInput(`${field} must not contain NUL characters`, field);
  if (required && !trimmed) throw badInput(`${field} is required`, field);
  if (trimmed.length > max) throw badInput(`${field} takes at most ${max} characters`, field);
  return trimmed || null;
}

function dateTime(value: string, field: string): Date {
  const date = new Date(value);
  if (!ISO_DATE.test(value) || Number.isNaN(date.getTime())) throw badInput(`${field} must be an ISO 8601 date-time with a time zone`, field);
  return date;
}

/** Every rule is checked before anything is written. */
export function parseActivityInput(input: ActivityInput, createdBy: string, now = new Date()): NewActivity {
  const link = text(input.link, 'link', 200, false);
  if (link !== null && !/^\/[\w\-./?=&%]*$/.test(link)) throw badInput('link must be a mini-program page path starting with /', 'link');
  const startsAt = dateTime(input.startsAt, 'startsAt');
  const endsAt = dateTime(input.endsAt, 'endsAt');
  if (endsAt <= startsAt) throw badInput('endsAt must be after startsAt', 'endsAt');
  if (endsAt <= now) throw badInput('endsAt must be in the future', 'endsAt');
  return {
    title: text(input.title, 'title', 64, true)!,
    description: text(input.description, 'description', 500, false),
    link,
    starts_at: startsAt,
    ends_at: endsAt,
    created_by: createdBy,
  };
}

export const activityResolvers: {
  Query: Pick<QueryResolvers, 'activities'>;
  Mutation: Pick<MutationResolvers, 'createActivity' | 'deleteActivity'>;
  Activity: ActivityResolvers;
} = {
  Query: {
    activities: (_parent, _args, context) => findRunningActivities(context.db),
  },
  Mutation: {
    async createActivity(_parent, { input }, context) {
      const staffId = requireScope(context, STAFF_SCOPE);
      return insertActivity(context.db, parseActivityInput(input, staffId));
    },
    async deleteActivity(_parent, { id }, context) {
      requireScope(context, STAFF_SCOPE);
      if (!isBigintId(id) || !(await deleteActivity(context.db, id))) throw notFound('No such activity');
      return true;
    },
  },
  Activity: {
    startsAt: (activity: ActivityRow) => activity.starts_at.toISOString(),
    endsAt: (activity: ActivityRow) => activity.ends_at.toISOString(),
  },
};
