package gitlab

// The payload types hold the fields of GitLab's webhook payloads that the
// plugin uses; see https://docs.gitlab.com/user/project/integrations/webhook_events/.

// Project is the project an event happened in.
type Project struct {
	Name              string `json:"name"`
	PathWithNamespace string `json:"path_with_namespace"`
	WebURL            string `json:"web_url"`
}

// User is a GitLab account as merge request, issue and pipeline events
// carry it.
type User struct {
	Name     string `json:"name"`
	Username string `json:"username"`
}

// Author is a commit's git identity.
type Author struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Commit is a commit of a push.
type Commit struct {
	ID      string `json:"id"`
	Message string `json:"message"`
	Title   string `json:"title"`
	URL     string `json:"url"`
	Author  Author `json:"author"`
}

// PushEvent is the payload of a push and of a tag push event. GitLab
// lists at most 20 commits, oldest first; TotalCommitsCount counts all of
// them.
type PushEvent struct {
	ObjectKind        string   `json:"object_kind"`
	Before            string   `json:"before"`
	After             string   `json:"after"`
	Ref               string   `json:"ref"`
	CheckoutSHA       string   `json:"checkout_sha"`
	UserName          string   `json:"user_name"`
	UserUsername      string   `json:"user_username"`
	Project           Project  `json:"project"`
	Commits           []Commit `json:"commits"`
	TotalCommitsCount int      `json:"total_commits_count"`
}

// MergeRequestAttributes describes a merge request.
type MergeRequestAttributes struct {
	IID          int    `json:"iid"`
	Title        string `json:"title"`
	State        string `json:"state"`
	Action       string `json:"action"`
	SourceBranch string `json:"source_branch"`
	TargetBranch string `json:"target_branch"`
	URL          string `json:"url"`
}

// MergeRequestEvent is the payload of a merge request event.
type MergeRequestEvent struct {
	User             User                   `json:"user"`
	Project          Project                `json:"project"`
	ObjectAttributes MergeRequestAttributes `json:"object_attributes"`
}

// IssueAttributes describes an issue.
type IssueAttributes struct {
	IID    int    `json:"iid"`
	Title  string `json:"title"`
	State  string `json:"state"`
	Action string `json:"action"`
	URL    string `json:"url"`
}

// IssueEvent is the payload of an issue event.
type IssueEvent struct {
	User             User            `json:"user"`
	Project          Project         `json:"project"`
	ObjectAttributes IssueAttributes `json:"object_attributes"`
}

// PipelineAttributes describes a pipeline. Duration is in seconds (null
// until the pipeline has run); URL is sent by GitLab 16.2 and later.
type PipelineAttributes struct {
	ID       int64    `json:"id"`
	IID      int64    `json:"iid"`
	Ref      string   `json:"ref"`
	Tag      bool     `json:"tag"`
	SHA      string   `json:"sha"`
	Status   string   `json:"status"`
	Duration *float64 `json:"duration"`
	URL      string   `json:"url"`
}

// Build is one job of a pipeline.
type Build struct {
	Name   string `json:"name"`
	Stage  string `json:"stage"`
	Status string `json:"status"`
}

// PipelineEvent is the payload of a pipeline event.
type PipelineEvent struct {
	ObjectAttributes PipelineAttributes `json:"object_attributes"`
	User             User               `json:"user"`
	Project          Project            `json:"project"`
	Builds           []Build            `json:"builds"`
}

// ReleaseEvent is the payload of a release event.
type ReleaseEvent struct {
	Name    string  `json:"name"`
	Tag     string  `json:"tag"`
	Action  string  `json:"action"`
	URL     string  `json:"url"`
	Project Project `json:"project"`
}
