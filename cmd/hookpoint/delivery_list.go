package main

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// deliveryRow is a delivery as the admin API lists it.
type deliveryRow struct {
	ID             int64               `json:"id"`
	Plugin         string              `json:"plugin"`
	Endpoint       string              `json:"endpoint"`
	Mode           string              `json:"mode"`
	Method         string              `json:"method"`
	Header         map[string][]string `json:"headers"`
	DeliveryID     string              `json:"delivery_id"`
	ReplayOf       int64               `json:"replay_of"`
	State          string              `json:"state"`
	Attempts       int                 `json:"attempts"`
	MaxAttempts    int                 `json:"max_attempts"`
	LastError      string              `json:"last_error"`
	ResponseStatus int                 `json:"response_status"`
	ReceivedAt     time.Time           `json:"received_at"`
	BodyBytes      int                 `json:"body_bytes"`
}

// senderEventHeaders name a delivery's event, one per sender: GitHub, GitLab,
// Gitea, Forgejo, Gogs and Bitbucket.
var senderEventHeaders = []string{"X-GitHub-Event", "X-Gitlab-Event", "X-Gitea-Event", "X-Forgejo-Event", "X-Gogs-Event", "X-Event-Key"}

// event returns the event the sender named in the stored headers, or "".
func (d *deliveryRow) event() string {
	for _, name := range senderEventHeaders {
		if v := headerValue(d.Header, name); v != "" {
			return v
		}
	}
	return ""
}

// attempts shows how often the handler ran: n/max for a queued delivery,
// n alone for an inline one, which is never retried.
func (d *deliveryRow) attempts() string {
	if d.Mode == "inline" {
		return strconv.Itoa(d.Attempts)
	}
	return fmt.Sprintf("%d/%d", d.Attempts, d.MaxAttempts)
}

// printDeliveries writes deliveries as a table.
func printDeliveries(w io.Writer, ds []deliveryRow) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECEIVED\tPLUGIN\tENDPOINT\tEVENT\tMODE\tSTATE\tATTEMPTS\tSTATUS\tDELIVERY ID\tLAST ERROR")
	for _, d := range ds {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", d.ID, localTime(&d.ReceivedAt),
			d.Plugin, d.Endpoint, orDash(oneLine(d.event(), 30)), d.Mode, d.State, d.attempts(), d.ResponseStatus, d.DeliveryID, oneLine(d.LastError, 60))
	}
	return tw.Flush()
}

// orDash returns s, or "-" for an empty s, so a table column is not blank.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
