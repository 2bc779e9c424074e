"""The SQL of the statistics: one statement that computes any number of years, and the years
that have data.

Kept as SQL because the computation is one statement the database runs from end to end
(GROUPING SETS, data-modifying CTEs), which the ORM cannot express; ``analytics.services``
runs it. Parameters are psycopg's ``%(name)s``; there is no other ``%`` in the text.
"""

from __future__ import annotations

# Brings ExchangeStatistic for the years asked for to what the imported logs and the live
# exchanges give now, and answers one row per year, oldest first: (year, rows, exchanges
# counted). Parameters: years (distinct, ascending); time_zone (the project's: a year starts
# at midnight there).
#
# All the years in one pass: each source is read once, one index range per year (joining the
# year to its range gives each row its year without computing it), and every step after that
# groups by year as well. A live exchange's addressed agencies are read from the receipt index
# by the exchange's id, so that a year costs its own receipts, never every receipt.
#
# Membership is taken at each exchange's date. Rather than looking up every party of every
# exchange in the status history, each year is cut into periods at the days on which some
# party's status changes (usually none: one period); each period carries the array of the
# parties that are members throughout it. The status of a day is the change with the latest
# effective date on or before it (of several changes effective the same day, the one recorded
# last); a party with no change on or before the day is not a member. Period 0 starts on the
# year's first day, period n on the year's n-th change day: a day's period is a binary search
# of the year's change days, made only in a year that has any.
#
# The exchanges are first grouped, per source, by everything the rules look at (period, kind,
# crime area, task force, sender, channel of the log or case, recipients): for the imported
# rows a plain GROUP BY of integers and short strings (the recipients are the id of their
# RecipientSet) over the covering index, nearly as cheap as the bare count; for the live ones
# the same by sender agency, case and the array of addressed agencies, mapped to parties and
# channels only once grouped. The rules then classify those groups, far fewer than the
# exchanges, and GROUPING SETS give both grains of ExchangeStatistic in one pass.
#
# The result is compared with the stored rows rather than written over them: a row is inserted,
# updated or deleted only where it differs, so that recomputing an unchanged year (every night,
# for every year) writes nothing, and each row written is checked against its foreign keys.
YEARLY_STATISTICS = """
WITH years AS MATERIALIZED (
    SELECT y.year, y.first_day, y.next_year,
           make_timestamptz(y.year, 1, 1, 0, 0, 0, %(time_zone)s) AS first_moment,
           make_timestamptz(y.year + 1, 1, 1, 0, 0, 0, %(time_zone)s) AS next_moment,
           ARRAY(
               SELECT DISTINCT change.effective_from FROM partners_partystatuschange change
               WHERE change.effective_from > y.first_day AND change.effective_from < y.next_year
               ORDER BY change.effective_from
           ) AS change_days
    FROM (
        SELECT year, make_date(year, 1, 1) AS first_day, make_date(year + 1, 1, 1) AS next_year
        FROM unnest(%(years)s::int[]) AS year
    ) y
),
status_of_day AS (
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
    SELECT y.year, p.period - 1 AS period,
           ARRAY(
               SELECT s.party_id FROM status_period s
               WHERE s.status = 'member' AND s.first_day <= p.first_day
                 AND (s.next_day IS NULL OR s.next_day > p.first_day)
           ) AS members
    FROM years y, unnest(y.first_day || y.change_days) WITH ORDINALITY AS p(first_day, period)
),
live AS (
    SELECT year, period, kind, crime_area_id, task_force_id, sender_agency_id, case_id,
           agencies, count(*) AS exchanges
    FROM (
        SELECT y.year,
               CASE WHEN cardinality(y.change_days) = 0 THEN 0
                    ELSE width_bucket((e.sent_at AT TIME ZONE %(time_zone)s)::date, y.change_days)
               END AS period,
               CASE WHEN e.kind = 'request' THEN 'request' ELSE 'information' END AS kind,
               e.crime_area_id, e.task_force_id, e.sender_agency_id, e.case_id,
               -- The agencies the sender addressed (forwards later on are not new exchanges),
               -- from the receipt index alone and in its order, so that the same agencies
               -- give the same array. A subquery here rather than a lateral join, which the
               -- planner would wrap in a cache keyed by the exchange: never a hit.
               ARRAY(
                   SELECT r.agency_id
                   FROM exchanges_recipient r
                   WHERE r.exchange_id = e.id AND r.via = 'addressed'
               ) AS agencies
        FROM years y
        JOIN exchanges_exchange e ON e.sent_at >= y.first_moment AND e.sent_at < y.next_moment
    ) x
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
),
recipient_parties AS MATERIALIZED (
    -- Each distinct set of addressed agencies as the parties it reaches, each once (several
    -- agencies of a party count as one): a handful of sets, whatever the number of exchanges,
    -- each mapped once (materialised, or the mapping would run for every group).
    SELECT sets.agencies,
           ARRAY(
               SELECT DISTINCT agency.party_id FROM partners_agency agency
               WHERE agency.id = ANY (sets.agencies)
           ) AS parties
    FROM (SELECT DISTINCT agencies FROM live) sets
),
alike AS (
    SELECT i.year, i.period, i.kind, i.crime_area_id, i.task_force_id, i.sender_party_id,
           i.channel, recipients.party_ids AS recipients, i.exchanges
    FROM (
        SELECT y.year,
               CASE WHEN cardinality(y.change_days) = 0 THEN 0
                    ELSE width_bucket(i.date, y.change_days)
               END AS period,
               i.kind, i.crime_area_id, i.task_force_id, i.sender_party_id, i.channel,
               i.recipients_id, count(*) AS exchanges
        FROM years y
        JOIN analytics_importedexchange i ON i.date >= y.first_day AND i.date < y.next_year
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ) i
    JOIN analytics_recipientset recipients ON recipients.id = i.recipients_id
    UNION ALL
    SELECT x.year, x.period, x.kind, x.crime_area_id, x.task_force_id, sender.party_id,
           CASE WHEN c.kind = 'regional_operation' THEN 'regional_operation' ELSE 'daily' END,
           recipients.parties, x.exchanges
    FROM live x
    JOIN partners_agency sender ON sender.id = x.sender_agency_id
    LEFT JOIN cases_case c ON c.id = x.case_id
    JOIN recipient_parties recipients ON recipients.agencies = x.agencies
),
classified AS (
    SELECT a.year, a.kind, a.crime_area_id, a.task_force_id, a.sender_party_id, a.recipients,
           a.exchanges,
           a.sender_party_id = ANY (m.members) AS sender_is_member,
           CASE
               WHEN a.channel = 'regional_operation' THEN 'regional_operations'
               WHEN a.sender_party_id = ANY (m.members) AND a.recipients <@ m.members
                   THEN 'members_daily'
               ELSE 'members_observers'
           END AS channel
    FROM alike a
    JOIN membership m ON m.year = a.year AND m.period = a.period
),
computed AS MATERIALIZED (
    -- One row per recipient party of each group; the first recipient's row stands for the
    -- group's exchanges in the grain that counts each exchange once.
    SELECT c.year, c.crime_area_id, c.kind, c.channel, c.sender_party_id, c.sender_is_member,
           r.party_id AS recipient_party_id, c.task_force_id,
           CASE
               WHEN GROUPING(r.party_id) = 1
                   THEN sum(c.exchanges) FILTER (WHERE coalesce(r.position, 1) = 1)
               ELSE sum(c.exchanges)
           END AS exchanges
    FROM classified c
    LEFT JOIN LATERAL unnest(c.recipients) WITH ORDINALITY AS r(party_id, position) ON true
    GROUP BY GROUPING SETS (
        (c.year, c.crime_area_id, c.kind, c.channel, c.sender_party_id, c.sender_is_member,
         c.task_force_id),
        (c.year, c.crime_area_id, c.kind, c.channel, c.sender_party_id, c.sender_is_member,
         c.task_force_id, r.party_id)
    )
    HAVING GROUPING(r.party_id) = 1 OR r.party_id IS NOT NULL
),
compared AS MATERIALIZED (
    -- Each combination once, with its computed count and its stored row, if any: a stored row
    -- is kept when its count is right, updated when not, and deleted when the combination is
    -- no longer computed, so that an unchanged year writes nothing. (GROUP BY takes NULL keys
    -- as equal, as the unique constraint does.)
    SELECT year, crime_area_id, kind, channel, sender_party_id, sender_is_member,
           recipient_party_id, task_force_id,
           max(exchanges) FILTER (WHERE stored_id IS NULL) AS exchanges,
           max(stored_id) AS stored_id,
           max(exchanges) FILTER (WHERE stored_id IS NOT NULL) AS stored_exchanges
    FROM (
        SELECT year, crime_area_id, kind, channel, sender_party_id, sender_is_member,
               recipient_party_id, task_force_id, exchanges, NULL::bigint AS stored_id
        FROM computed
        UNION ALL
        SELECT year, crime_area_id, kind, channel, sender_party_id, sender_is_member,
               recipient_party_id, task_force_id, exchanges, id
        FROM analytics_exchangestatistic
        WHERE year = ANY (%(years)s::int[])
    ) both_sides
    GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
),
added AS (
    INSERT INTO analytics_exchangestatistic (
        year, crime_area_id, kind, channel, sender_party_id, sender_is_member,
        recipient_party_id, task_force_id, exchanges
    )
    SELECT year, crime_area_id, kind, channel, sender_party_id, sender_is_member,
           recipient_party_id, task_force_id, exchanges
    FROM compared
    WHERE stored_id IS NULL
),
changed AS (
    UPDATE analytics_exchangestatistic stored SET exchanges = compared.exchanges
    FROM compared
    WHERE stored.id = compared.stored_id AND compared.exchanges <> compared.stored_exchanges
),
removed AS (
    DELETE FROM analytics_exchangestatistic stored
    USING compared
    WHERE stored.id = compared.stored_id AND compared.exchanges IS NULL
),
per_year AS (
    SELECT year, count(*) AS rows,
           coalesce(sum(exchanges) FILTER (WHERE recipient_party_id IS NULL), 0) AS exchanges
    FROM computed
    GROUP BY year
)
SELECT y.year, coalesce(per_year.rows, 0)::bigint, coalesce(per_year.exchanges, 0)::bigint
FROM years y
LEFT JOIN per_year ON per_year.year = y.year
ORDER BY y.year
"""

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
