import type { Pool } from '../../src/db/pool.js';

/**
 * `n` noticed violations over the 13 months before now across the cameras already stored (at least one),
 * a third paid (some in part), some cancelled or resolved: written in SQL, as the pipeline and approvals leave them.
 */
export async function generateNotices(pool: Pool, n: number, seed: number, officerId: number): Promise<void> {
  await pool.query(
    `WITH v AS (
       INSERT INTO violations (camera_id, rule, violation_code, legal_clause, description, vehicle_category, occurred_at, plate_text, plate_key,
                               plate_colour, match_status, schedule_version, fine_min, fine_max, fine_amount, points, read_confidence,
                               status, decided_by, decided_at)
       SELECT (SELECT id FROM cameras ORDER BY id OFFSET (i % (SELECT count(*) FROM cameras)) LIMIT 1), r, 'X', 'Điều 6', 'Vi phạm', 'car', t, '30A-123.45', '30A12345', 'white', 'unknown',
              'nd168-2024', 1000000 * (1 + i % 5), 1000000 * (1 + i % 5), 1000000 * (1 + i % 5), 0, 0.9, 'noticed', $3, t
       FROM generate_series(1, $1) i
       CROSS JOIN LATERAL (SELECT now() - make_interval(secs => (hashint4(i + $2) & 2147483647) % (395 * 86400)) AS t,
                                  (ARRAY['speeding', 'red_light', 'wrong_lane'])[1 + i % 3] AS r) x
       RETURNING id, occurred_at, fine_amount)
     INSERT INTO notices (violation_id, notice_number, amount, issued_at, due_at, status, resolved_at)
     SELECT v.id, 'PN-PC08-2026-' || lpad((v.id % 1000000)::text, 6, '0'), v.fine_amount, v.occurred_at, v.occurred_at + interval '20 days',
            CASE WHEN v.id % 11 = 0 THEN 'cancelled' WHEN v.id % 13 = 0 THEN 'resolved' ELSE 'issued' END,
            CASE WHEN v.id % 13 = 0 AND v.id % 11 <> 0 THEN v.occurred_at + interval '3 days' END
     FROM v`,
    [n, seed, officerId],
  );
  await pool.query(
    `INSERT INTO payments (notice_id, amount, paid_at, method, reference, source)
     SELECT n.id, CASE WHEN n.id % 2 = 0 THEN n.amount ELSE n.amount / 2 END, least(n.issued_at + make_interval(secs => (hashint8(n.id) & 2147483647) % (30 * 86400)), now()),
            'bank_transfer', 'REF-' || n.id, 'statement_import'
     FROM notices n WHERE n.id % 3 = 0 AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.notice_id = n.id)`,
  );
}

