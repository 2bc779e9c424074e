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
# All the years in one pass: each source is read once, and every step after that groups by
# year as well.
#
# Membership is taken at each exchange's date. Rather than looking up every party of every
# exchange in the status history, each year is cut into periods at the days on which some
# party's status changes (usually none: one period per year); each period carries the parties
# that are members throughout it, and the agencies of the other parties. The status of a day
# is the change with the latest effective date on or before it (of several changes effective
# the same day, the one recorded last); a party with no change on or before the day is not a
# member. Each source is read one index range per period (joining the period to its range
# gives each row its year and its members without computing anything per row).
#
# Each live exchange is classified on its own: grouping them first by everything the rules
# look at (sender, case, the set of addressed agencies...) would reduce nothing, as nearly
# every exchange differs from every other in one of them. An exchange's addressed agencies
# are read from the receipt index by the exchange's id (a year costs its own receipts, never
# every receipt), as one small array from which the rules take what they need: the exchange
# is between members when its sender's party is a member and none of its agencies is one of
# the period's outsiders; and each agency stands for its party unless an agency of the same
# party with a smaller id is addressed too (a party counts once however many of its agencies
# are addressed). An imported exchange names its parties already; the imported rows are
# grouped per period by everything the rules look at, its recipients being the id of their
# RecipientSet, a plain GROUP BY of integers and short strings over the covering index.
#
# Both grains come out of one stream: each exchange (or group of imported ones) gives one row
# without a recipient, which counts it once, then one row per recipient party. The stored rows
# join that stream, so that one GROUP BY by the combination both counts and compares with what
# is stored: a row is inserted, updated or deleted only where it differs, so that recomputing
# an unchanged year (every night, for every year) writes nothing, and each row written is
# checked against its foreign keys.
YEARLY_STATISTICS = """
WITH years AS MATERIALIZED (
    SELECT y.year, y.first_day, y.next_year,
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
periods AS MATERIALIZED (
    -- A period starts on the year's first day or on a change day and ends at the next one (at
    -- midnight in the project's time zone for the live exchanges, which are dated by moment).
    SELECT p.year, p.first_day, p.next_day,
           p.first_day::timestamp AT TIME ZONE %(time_zone)s AS first_moment,
           p.next_day::timestamp AT TIME ZONE %(time_zone)s AS next_moment,
           p.members,
           ARRAY(
               SELECT agency.id FROM partners_agency agency
               WHERE agency.party_id <> ALL (p.members)
           ) AS outsiders
    FROM (
        SELECT y.year, d.day AS first_day,
               lead(d.day, 1, y.next_year) OVER (PARTITION BY y.year ORDER BY d.day) AS next_day,
               ARRAY(
                   SELECT s.party_id FROM status_period s
                   WHERE s.status = 'member' AND s.first_day <= d.day
                     AND (s.next_day IS NULL OR s.next_day > d.day)
               ) AS members
        FROM years y, unnest(y.first_day || y.change_days) AS d(day)
    ) p
),
agency AS MATERIALIZED (
    -- Each agency's party, and the agencies of that party with smaller ids: an agency stands
    -- for its party in an exchange that addresses none of them.
    SELECT agency.id, agency.party_id,
           ARRAY(
               SELECT sibling.id FROM partners_agency sibling
               WHERE sibling.party_id = agency.party_id AND sibling.id < agency.id
           ) AS earlier_siblings
    FROM partners_agency agency
),
live AS (
    SELECT p.year, p.members, p.outsiders,
           CASE WHEN e.kind = 'request' THEN 'request' ELSE 'information' END AS kind,
           e.crime_area_id, e.task_force_id, e.sender_agency_id, e.case_id,
           -- The agencies the sender addressed (forwards later on are not new exchanges),
           -- from the receipt index alone. A subquery here rather than a lateral join, which
           -- the planner would wrap in a cache keyed by the exchange: never a hit.
           ARRAY(
               SELECT r.agency_id
               FROM exchanges_recipient r
               WHERE r.exchange_id = e.id AND r.via = 'addressed'
           ) AS agencies
    FROM periods p
    JOIN exchanges_exchange e ON e.sent_at >= p.first_moment AND e.sent_at < p.next_moment
    -- OFFSET 0 keeps this a query of its own, so that the array is read once per exchange:
    -- merged into the next steps, its subquery would run again wherever they use it.
    OFFSET 0
),
live_classified AS (
    SELECT x.year, x.kind, x.crime_area_id, x.task_force_id, sender.party_id AS sender_party_id,
           sender.party_id = ANY (x.members) AS sender_is_member,
           CASE
               WHEN c.kind = 'regional_operation' THEN 'regional_operations'
               WHEN sender.party_id = ANY (x.members) AND NOT x.agencies && x.outsiders
                   THEN 'members_daily'
               ELSE 'members_observers'
           END AS channel,
           x.agencies
    FROM live x
    JOIN partners_agency sender ON sender.id = x.sender_agency_id
    LEFT JOIN cases_case c ON c.id = x.case_id
    -- Classified once per exchange: the next step gives each exchange several rows, and
    -- would otherwise classify it again for each.
    OFFSET 0
),
imported_classified AS (
    SELECT p.year, i.kind, i.crime_area_id, i.task_force_id, i.sender_party_id,
           i.sender_party_id = ANY (p.members) AS sender_is_member,
           CASE
               WHEN i.channel = 'regional_operation' THEN 'regional_operations'
               WHEN i.sender_party_id = ANY (p.members) AND recipients.party_ids <@ p.members
                   THEN 'members_daily'
               ELSE 'members_observers'
           END AS channel,
           recipients.party_ids, i.exchanges
    FROM periods p
    CROSS JOIN LATERAL (
        SELECT i.kind, i.crime_area_id, i.task_force_id, i.sender_party_id, i.channel,
               i.recipients_id, count(*)::int AS exchanges
        FROM analytics_importedexchange i
        WHERE i.date >= p.first_day AND i.date < p.next_day
        GROUP BY 1, 2, 3, 4, 5, 6
    ) i
    JOIN analytics_recipientset recipients ON recipients.id = i.recipients_id
),
compared AS MATERIALIZED (
    -- Each combination once, with its computed count and its stored row, if any: a stored row
    -- is kept when its count is right, updated when not, and deleted when the combination is
    -- no longer computed, so that an unchanged year writes nothing. (GROUP BY takes NULL keys
    -- as equal, as the unique constraint does; the columns of the three branches have the
    -- same types, so that they make one Append.)
    SELECT year, crime_area_id, kind, channel, sender_party_id, sender_is_member,
           recipient_party_id, task_force_id,
           sum(exchanges) FILTER (WHERE stored_id IS NULL) AS exchanges,
           max(stored_id) AS stored_id,
           max(exchanges) FILTER (WHERE stored_id IS NOT NULL) AS stored_exchanges
    FROM (
        -- Live: a row without an agency (the exchange, once), then one per agency that stands
        -- for its party.
        SELECT x.year, x.crime_area_id, x.kind, x.channel, x.sender_party_id,
               x.sender_is_member, agency.party_id AS recipient_party_id, x.task_force_id,
               1 AS exchanges, NULL::bigint AS stored_id
        FROM (
            SELECT lc.*, unnest(array_prepend(NULL::bigint, lc.agencies)) AS agency_id
            FROM live_classified lc
        ) x
        LEFT JOIN agency ON agency.id = x.agency_id
        WHERE x.agency_id IS NULL OR NOT x.agencies && agency.earlier_siblings
        UNION ALL
        -- Imported: a row without a party (the group, once), then one per party.
        SELECT x.year, x.crime_area_id, x.kind, x.channel, x.sender_party_id,
               x.sender_is_member, x.party_id, x.task_force_id, x.exchanges, NULL
        FROM (
            SELECT ic.*, unnest(array_prepend(NULL::bigint, ic.party_ids)) AS party_id
            FROM imported_classified ic
        ) x
        UNION ALL
        SELECT year::int, crime_area_id, kind::text, channel::text, sender_party_id,
               sender_is_member, recipient_party_id, task_force_id, exchanges, id
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
    FROM compared
    WHERE exchanges IS NOT NULL
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

# The latest years that have statistics, newest first, at most %(limit)s of them: each found by
# one probe of the combination index (led by the year) for the greatest year below the last
# one found. DISTINCT over the rows would read every row of those years first (a year holds
# tens of thousands of combinations at a million exchanges: 110 ms for five years).
LATEST_YEARS_WITH_STATISTICS = """
WITH RECURSIVE found AS (
    SELECT (SELECT max(year) FROM analytics_exchangestatistic) AS year, 1 AS position
    UNION ALL
    SELECT (SELECT max(s.year) FROM analytics_exchangestatistic s WHERE s.year < found.year),
           found.position + 1
    FROM found
    WHERE found.year IS NOT NULL AND found.position < %(limit)s
)
SELECT year FROM found WHERE year IS NOT NULL ORDER BY year DESC
"""
