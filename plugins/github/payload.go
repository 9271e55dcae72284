package github

// The payload types hold the fields of GitHub's webhook payloads that the
// plugin uses; see https://docs.github.com/webhooks/webhook-events-and-payloads.
// Gitea and Forgejo send the same shapes (with X-GitHub-Event), with a
// few differences noted on the fields.

// Repository is the repository an event happened in.
type Repository struct {
	FullName string `json:"full_name"`
	HTMLURL  string `json:"html_url"`
}

// User is a GitHub account.
type User struct {
	Login string `json:"login"`
}

// Pusher is who pushed. GitHub sends a git identity (name, email); Gitea
// sends a user (login, username).
type Pusher struct {
	Name     string `json:"name"`
	Login    string `json:"login"`
	Username string `json:"username"`
}

// Commit is a commit of a push.
type Commit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	URL     string `json:"url"`
}

// PushEvent is the payload of a push event.
type PushEvent struct {
	Ref        string     `json:"ref"`
	Before     string     `json:"before"`
	After      string     `json:"after"`
	Created    bool       `json:"created"`
	Deleted    bool       `json:"deleted"`
	Forced     bool       `json:"forced"`
	Compare    string     `json:"compare"`
	Commits    []Commit   `json:"commits"`
	HeadCommit *Commit    `json:"head_commit"`
	Repository Repository `json:"repository"`
	Pusher     Pusher     `json:"pusher"`
	Sender     User       `json:"sender"`
}

// Issue is an issue.
type Issue struct {
	Number  int    `json:"number"`
	Title   string `json:"title"`
	State   string `json:"state"`
	HTMLURL string `json:"html_url"`
	User    User   `json:"user"`
}

// IssuesEvent is the payload of an issues event.
type IssuesEvent struct {
	Action     string     `json:"action"`
	Issue      Issue      `json:"issue"`
	Repository Repository `json:"repository"`
	Sender     User       `json:"sender"`
}

// PingEvent is the payload of the ping event GitHub sends when a webhook
// is created.
type PingEvent struct {
	Zen    string `json:"zen"`
	HookID int64  `json:"hook_id"`
}
