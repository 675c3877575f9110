/**
 * The transaction ledger in Aurora PostgreSQL, reached through the RDS Proxy.
 *
 * SQS delivers at least once, so writes are idempotent on payment_id, and each row remembers
 * whether its `payment.succeeded` announcement went out: a redelivered message records nothing new
 * but re-announces a payment whose announcement failed, and never announces one twice on purpose.
 */

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS payments (
  payment_id   text PRIMARY KEY,
  merchant_id  text NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  currency     char(3) NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT now(),
  announced_at timestamptz
)`;

/**
 * @param {{query: (text: string, values?: unknown[]) => Promise<{rows: any[], rowCount: number | null}>}} db
 */
export function createLedger(db) {
  let schemaReady;
  return {
    /** Create the table once per container. */
    async ensureSchema() {
      schemaReady ??= db.query(SCHEMA).catch((error) => {
        schemaReady = undefined;
        throw error;
      });
      await schemaReady;
    },

    /**
     * Record a processed payment (once).
     * @param {{paymentId: string, merchantId: string, amountCents: number, currency: string}} payment
     * @returns {Promise<boolean>} whether its announcement is still to be made
     */
    async record(payment) {
      await this.ensureSchema();
      await db.query(
        `INSERT INTO payments (payment_id, merchant_id, amount_cents, currency)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (payment_id) DO NOTHING`,
        [payment.paymentId, payment.merchantId, payment.amountCents, payment.currency],
      );
      const { rows } = await db.query('SELECT announced_at IS NULL AS pending FROM payments WHERE payment_id = $1', [
        payment.paymentId,
      ]);
      return rows[0].pending;
    },

    /** @param {string} paymentId */
    async markAnnounced(paymentId) {
      await db.query('UPDATE payments SET announced_at = now() WHERE payment_id = $1', [paymentId]);
    },
  };
}
