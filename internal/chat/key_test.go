package chat_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hookpoint/hookpoint/internal/chat"
	"github.com/hookpoint/hookpoint/sdk"
)

func TestParseKey(t *testing.T) {
	t.Parallel()
	good := map[string]chat.Key{
		"onebot_v11-group_123456":       {"onebot_v11", "group_123456"},
		"onebot_v11-private_10001":      {"onebot_v11", "private_10001"},
		"telegram-group_-1002768666191": {"telegram", "group_-1002768666191"},
		"discord-112233445566778899":    {"discord", "112233445566778899"},
		"matrix-!room:example.org":      {"matrix", "!room:example.org"},
		"email-ops@example.com":         {"email", "ops@example.com"},
		"inbox-group_ops":               {"inbox", "group_ops"},
	}
	for in, want := range good {
		got, err := chat.ParseKey(in)
		if err != nil || got != want {
			t.Errorf("ParseKey(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if got.String() != in {
			t.Errorf("Key.String() = %q, want %q", got.String(), in)
		}
	}
	for _, in := range []string{"", "inbox", "-group", "inbox-", "Inbox-x", "in box-x", "inbox-a b", "inbox-a\nb", "inbox-a/b"} {
		_, err := chat.ParseKey(in)
		var ke *chat.KeyError
		if !errors.As(err, &ke) {
			t.Errorf("ParseKey(%q) err = %v, want a *KeyError", in, err)
		}
	}
}

type recordAdapter struct {
	name string
	got  []*chat.Outgoing
}

func (a *recordAdapter) Name() string { return a.name }
func (a *recordAdapter) Send(_ context.Context, o *chat.Outgoing) error {
	a.got = append(a.got, o)
	return nil
}

func TestRouterPicksAdapterFromKey(t *testing.T) {
	t.Parallel()
	inbox, tg := &recordAdapter{name: "inbox"}, &recordAdapter{name: "telegram"}
	r, err := chat.NewRouter(inbox, tg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := r.Send(ctx, "a.b", "telegram-group_-100", sdk.Message{Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(ctx, "a.b", "inbox-ops", sdk.Message{Text: "yo"}); err != nil {
		t.Fatal(err)
	}
	if len(tg.got) != 1 || tg.got[0].Key.Channel != "group_-100" || tg.got[0].Plugin != "a.b" {
		t.Errorf("telegram got %+v", tg.got)
	}
	if len(inbox.got) != 1 || inbox.got[0].Message.Text != "yo" {
		t.Errorf("inbox got %+v", inbox.got)
	}
	err = r.Send(ctx, "a.b", "discord-123", sdk.Message{Text: "x"})
	var ua *chat.UnknownAdapterError
	if !errors.As(err, &ua) || ua.Key.Adapter != "discord" {
		t.Errorf("unknown adapter: err = %v", err)
	}
	if _, err := chat.NewRouter(inbox, &recordAdapter{name: "inbox"}); err == nil {
		t.Error("two adapters named inbox accepted")
	}
}
