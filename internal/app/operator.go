package app

import (
	"context"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
)

// operator is the admin API's access to deliveries and tasks: the store's,
// waking the deliveries' runner when a replay or retry made work, and
// cancelling at once a task run of this process.
type operator struct {
	*store.Store
	wake      func()
	cancelRun func(id int64) bool
}

func (o operator) CancelTask(ctx context.Context, plugin string, id int64) (record.Cancel, error) {
	c, err := o.Store.CancelTask(ctx, plugin, id)
	if c == record.CancelRequested {
		o.cancelRun(id)
	}
	return c, err
}

func (o operator) ReplayDeliveries(ctx context.Context, f record.DeliveryFilter) ([]int64, []int64, error) {
	ids, originals, err := o.Store.ReplayDeliveries(ctx, f)
	if len(ids) > 0 {
		o.wake()
	}
	return ids, originals, err
}

func (o operator) RetryDead(ctx context.Context, f record.DeliveryFilter) (int64, error) {
	n, err := o.Store.RetryDead(ctx, f)
	if n > 0 {
		o.wake()
	}
	return n, err
}
