import type { FastifyReply } from 'fastify';

/** A report as a CSV download; the route's JSON response schema does not describe it, so the reply is sent untyped. */
export function sendCsv(reply: FastifyReply, name: string, csv: string): FastifyReply {
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(csv);
}
