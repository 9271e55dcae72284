package verify

// HeaderGitLabToken carries GitLab's plain shared secret.
const HeaderGitLabToken = "X-Gitlab-Token"

const checkGitLab = "gitlab-token"

// GitLab verifies "X-Gitlab-Token", the plain shared secret, against any of
// tokens in constant time.
func GitLab(tokens ...string) (Verifier, error) {
	set, err := newTokenSet(checkGitLab, tokens)
	if err != nil {
		return nil, err
	}
	return headerToken{check: checkGitLab, header: HeaderGitLabToken, set: set}, nil
}
