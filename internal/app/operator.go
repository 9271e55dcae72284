package app

import (
	"context"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/internal/store"
)

// operator is the admin API's access to deliveries and tasks: the store's,
// waking the deliveries' runner when a replay or retry made work.
type operator struct {
	*store.Store
	wake func()
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
