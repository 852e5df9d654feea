package sqlite

import (
	"context"
	"database/sql"

	"github.com/portolan/portolan/domain"
)

// rowExecer is a transaction, or the ledger's statement cache over one.
type rowExecer interface {
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// transitionOrder moves an order to status to at (Unix milliseconds) with
// reason, in x's transaction: the domain's state machine decides whether
// it may (an illegal change is an ECONFLICT error naming the order and both
// statuses); the store writes the status and the history line. It is the
// one place the store changes an order's status outside UpdateOrder.
func transitionOrder(ctx context.Context, x rowExecer, orderID int64, to domain.OrderStatus, at int64, reason string) error {
	var number, from string
	if err := x.QueryRowContext(ctx, `SELECT number, status FROM orders WHERE id = ?`, orderID).Scan(&number, &from); err != nil {
		return translate(err)
	}
	if err := domain.CheckTransition(number, domain.OrderStatus(from), to); err != nil {
		return err
	}
	if _, err := x.ExecContext(ctx, `UPDATE orders SET status = ?, updated_at = ? WHERE id = ?`, string(to), at, orderID); err != nil {
		return translate(err)
	}
	_, err := x.ExecContext(ctx, `INSERT INTO order_history (order_id, at, from_status, to_status, reason, who) VALUES (?, ?, ?, ?, ?, who())`,
		orderID, at, from, string(to), reason)
	return translate(err)
}
