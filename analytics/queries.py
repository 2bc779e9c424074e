"""The SQL of the statistics: one aggregate statement per year, and the years that have data.

Kept as SQL because the computation is one statement the database runs from end to end
(GROUPING SETS, a data-modifying CTE), which the ORM cannot express; ``analytics.services``
runs it. Parameters are psycopg's ``%(name)s``; there is no other ``%`` in the text.
"""

from __future__ import annotations

# Fills ExchangeStatistic for one year from the imported logs and the live exchanges, and
# answers (rows inserted, exchanges counted). Parameters: year; first_day and next_year (the
# year's first day and the next one's); first_moment and next_moment (the same instants in the
# project's time zone); time_zone; period_starts (below).
#
# Membership is taken at each exchange's date. Rather than looking up every party of every
# exchange in the status history, the year is cut into periods at the days on which some
# party's status changes (usually none: one period); each period carries the array of the
# parties that are members throughout it. The status of a day is the change with the latest
# effective date on or before it (of several changes effective the same day, the one recorded
# last); a party with no change on or before the day is not a member. period_starts is the
# year's first day followed by those days (STATUS_CHANGE_DAYS); PERIOD_OF_DAY is replaced by the
# expression numbering the periods from 1 (see yearly_statistics): a constant when there is one,
# else a CASE on the start dates, which costs next to nothing per row.
#
# The exchanges are first grouped, per source, by everything the rules look at (period, kind,
# crime area, task force, sender, channel of the log or kind of case, recipient parties): for
# the imported rows a plain GROUP BY of integers and short strings (the recipients are the id of
# their RecipientSet) over the covering index, nearly as cheap as the bare count. The rules then
# classify those groups, far fewer than the exchanges, and GROUPING SETS give both grains of
# ExchangeStatistic in one pass.
YEARLY_STATISTICS = """
WITH status_of_day AS (
    SELECT DISTINCT ON (party_id, effective_from) party_id, effective_from, status
    FROM partners_partystatuschange
    ORDER BY party_id, effective_from, recorded_at DESC, id DESC
),
status_period AS (
    SELECT party_id, status, effective_from AS first_day,
           lead(effective_from) OVER (PARTITION BY party_id ORDER BY effective_from) AS next_day
    FROM status_of_day
),
membership AS MATERIALIZED (
    SELECT p.period,
           ARRAY(
               SELECT s.party_id FROM status_period s
               WHERE s.status = 'member' AND s.first_day <= p.first_day
                 AND (s.next_day IS NULL OR s.next_day > p.first_day)
           ) AS members
    FROM unnest(%(period_starts)s::date[]) WITH ORDINALITY AS p(first_day, period)
),
addressed AS (
    -- The parties the sender of each live exchange of the year addressed, each once (in no
    -- particular order); forwards later on are not new exchanges.
    SELECT pair.exchange_id, array_agg(pair.party_id) AS parties
    FROM (
        SELECT DISTINCT r.exchange_id, recipient.party_id
        FROM exchanges_recipient r
        JOIN exchanges_exchange e ON e.id = r.exchange_id
        JOIN partners_agency recipient ON recipient.id = r.agency_id
        WHERE r.via = 'addressed'
          AND e.sent_at >= %(first_moment)s AND e.sent_at < %(next_moment)s
    ) pair
    GROUP BY pair.exchange_id
),
alike AS (
    SELECT i.period, i.kind, i.crime_area_id, i.task_force_id, i.sender_party_id, i.channel,
           recipients.party_ids AS recipients, i.exchanges
    FROM (
        SELECT PERIOD_OF_DAY(i.date) AS period, i.kind, i.crime_area_id, i.task_force_id,
               i.sender_party_id, i.channel, i.recipients_id, count(*) AS exchanges
        FROM analytics_importedexchange i
        WHERE i.date >= %(first_day)s::date AND i.date < %(next_year)s::date
        GROUP BY PERIOD_KEY 2, 3, 4, 5, 6, 7
    ) i
    JOIN analytics_recipientset recipients ON recipients.id = i.recipients_id
    UNION ALL
    SELECT PERIOD_OF_DAY(x.day), x.kind, x.crime_area_id, x.task_force_id, x.sender_party_id,
           x.channel, x.recipients, count(*)
    FROM (
        SELECT (e.sent_at AT TIME ZONE %(time_zone)s)::date AS day,
               CASE WHEN e.kind = 'request' THEN 'request' ELSE 'information' END AS kind,
               e.crime_area_id, e.task_force_id, sender.party_id AS sender_party_id,
               CASE WHEN c.kind = 'regional_operation' THEN 'regional_operation' ELSE 'daily'
               END AS channel,
               coalesce(addressed.parties, '{}') AS recipients
        FROM exchanges_exchange e
        JOIN partners_agency sender ON sender.id = e.sender_agency_id
        LEFT JOIN cases_case c ON c.id = e.case_id
        LEFT JOIN addressed ON addressed.exchange_id = e.id
        WHERE e.sent_at >= %(first_moment)s AND e.sent_at < %(next_moment)s
    ) x
    GROUP BY PERIOD_KEY 2, 3, 4, 5, 6, 7
),
classified AS (
    SELECT a.kind, a.crime_area_id, a.task_force_id, a.sender_party_id, a.recipients,
           a.exchanges,
           a.sender_party_id = ANY (m.members) AS sender_is_member,
           CASE
               WHEN a.channel = 'regional_operation' THEN 'regional_operations'
               WHEN a.sender_party_id = ANY (m.members) AND a.recipients <@ m.members
                   THEN 'members_daily'
               ELSE 'members_observers'
           END AS channel
    FROM alike a
    JOIN membership m ON m.period = a.period
),
inserted AS (
    INSERT INTO analytics_exchangestatistic (
        year, crime_area_id, kind, channel, sender_party_id, sender_is_member,
        recipient_party_id, task_force_id, exchanges
    )
    -- One row per recipient party of each group; the first recipient's row stands for the
    -- group's exchanges in the grain that counts each exchange once.
    SELECT %(year)s, c.crime_area_id, c.kind, c.channel, c.sender_party_id, c.sender_is_member,
           r.party_id, c.task_force_id,
           CASE
               WHEN GROUPING(r.party_id) = 1
                   THEN sum(c.exchanges) FILTER (WHERE coalesce(r.position, 1) = 1)
               ELSE sum(c.exchanges)
           END
    FROM classified c
    LEFT JOIN LATERAL unnest(c.recipients) WITH ORDINALITY AS r(party_id, position) ON true
    GROUP BY GROUPING SETS (
        (c.crime_area_id, c.kind, c.channel, c.sender_party_id, c.sender_is_member,
         c.task_force_id),
        (c.crime_area_id, c.kind, c.channel, c.sender_party_id, c.sender_is_member,
         c.task_force_id, r.party_id)
    )
    HAVING GROUPING(r.party_id) = 1 OR r.party_id IS NOT NULL
    RETURNING recipient_party_id, exchanges
)
SELECT count(*), coalesce(sum(exchanges) FILTER (WHERE recipient_party_id IS NULL), 0)::bigint
FROM inserted
"""

# The days of a year, after its first, on which some party's status changes: where the
# periods of YEARLY_STATISTICS start. Parameters: first_day, next_year.
STATUS_CHANGE_DAYS = """
SELECT DISTINCT effective_from FROM partners_partystatuschange
WHERE effective_from > %(first_day)s AND effective_from < %(next_year)s
ORDER BY effective_from
"""


def yearly_statistics(period_count: int) -> str:
    """YEARLY_STATISTICS for a year cut into ``period_count`` periods: PERIOD_OF_DAY(day) is 1,
    or the number of the period the day falls in (the starts are ``%(period_starts)s``). A
    constant is left out of the GROUP BY (PERIOD_KEY): hashing it would cost a tenth more."""
    if period_count == 1:
        expression, key = "1", ""
    else:
        tests = " ".join(
            f"WHEN {{day}} < (%(period_starts)s::date[])[{n + 1}] THEN {n}"
            for n in range(1, period_count)
        )
        expression, key = f"CASE {tests} ELSE {period_count} END", "1,"
    text = YEARLY_STATISTICS.replace("PERIOD_KEY ", key)
    for day in ("i.date", "x.day"):
        text = text.replace(f"PERIOD_OF_DAY({day})", expression.replace("{day}", day))
    return text


# The years with at least one live or imported exchange, oldest first: from the first to the
# last year with any, each checked by one indexed probe. Parameter: time_zone.
YEARS_WITH_EXCHANGES = """
WITH bounds AS (
    SELECT least(
               (SELECT extract(year FROM min(sent_at) AT TIME ZONE %(time_zone)s)
                FROM exchanges_exchange),
               (SELECT extract(year FROM min(date)) FROM analytics_importedexchange)
           )::int AS first_year,
           greatest(
               (SELECT extract(year FROM max(sent_at) AT TIME ZONE %(time_zone)s)
                FROM exchanges_exchange),
               (SELECT extract(year FROM max(date)) FROM analytics_importedexchange)
           )::int AS last_year
)
SELECT y
FROM bounds, generate_series(bounds.first_year, bounds.last_year) AS y
WHERE EXISTS (
          SELECT 1 FROM analytics_importedexchange
          WHERE date >= make_date(y, 1, 1) AND date < make_date(y + 1, 1, 1)
      )
   OR EXISTS (
          SELECT 1 FROM exchanges_exchange
          WHERE sent_at >= make_timestamptz(y, 1, 1, 0, 0, 0, %(time_zone)s)
            AND sent_at < make_timestamptz(y + 1, 1, 1, 0, 0, 0, %(time_zone)s)
      )
ORDER BY y
"""
