package plugin

import (
	"log/slog"
	"net/http"
	"net/url"

	"github.com/hookpoint/hookpoint/internal/record"
	"github.com/hookpoint/hookpoint/sdk"
)

// NewRequest builds a handler's view of delivery d: the one place an
// sdk.Request is made, for inline runs and checks (header and query as
// they arrived) and queued runs (nil and nil: the stored copies, with
// credentials redacted).
func NewRequest(d *record.Delivery, header http.Header, query url.Values, logger *slog.Logger) *sdk.Request {
	if header == nil {
		header = d.Header
	}
	if query == nil {
		query, _ = url.ParseQuery(d.Query)
	}
	return &sdk.Request{
		Method:     d.Method,
		Endpoint:   d.Endpoint,
		Path:       d.Path,
		Query:      query,
		Header:     header,
		Body:       d.Body,
		ClientAddr: d.ClientAddr,
		RequestID:  d.RequestID,
		DeliveryID: d.DeliveryID,
		ReceivedAt: d.ReceivedAt,
		Logger:     logger,
	}
}
