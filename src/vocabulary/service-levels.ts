/**
 * Service levels (SP4N-LAPOR! practice), in working days (WITA, without weekends and the holidays of
 * the `holidays` collection): the one place their defaults live; each can be changed by the
 * environment variable named beside it.
 */
export const SLA_DEFAULTS = {
  /** SLA_RESPONSE_DAYS: first response (claim or review) after submission. */
  responseDays: 3,
  /** SLA_FOLLOWUP_DAYS: follow-up (Tindak lanjut) after the review, and after the member answered. */
  followupDays: 5,
  /** SLA_TOTAL_DAYS: the whole request, from submission to done. */
  totalDays: 14,
  /** SLA_ESCALATE_AFTER_DAYS: a request this many working days past its due date goes to the admins. */
  escalateAfterDays: 2,
  /** SLA_MEMBER_REMINDER_DAYS: a member asked for information who has not answered after this many gets one reminder. */
  memberReminderDays: 2,
  /** DIGEST_TIME: when (WITA, HH:MM) the officers' digest and the reminders go out on working days. */
  digestTime: "08:00",
} as const;
