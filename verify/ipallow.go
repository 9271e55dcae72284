package verify

import (
	"net/http"
	"net/netip"
	"strconv"
	"strings"
)

const checkIPAllow = "ip-allowlist"

// IPAllowOpts configures IPAllow.
type IPAllowOpts struct {
	// Allow lists the permitted client addresses, as CIDR prefixes
	// ("192.30.252.0/22", "2001:db8::/32") or single IPs.
	Allow []string
	// TrustedProxies lists the reverse proxies (CIDR prefixes or IPs) whose
	// X-Forwarded-For / Forwarded headers are believed; see ClientIP.
	TrustedProxies []string
}

// IPAllow accepts requests whose client address (see ClientIP) is inside
// opts.Allow; others fail with ErrForbiddenAddress. An empty or invalid
// Allow list, or an invalid TrustedProxies entry, is a construction error
// wrapping ErrConfig.
func IPAllow(opts IPAllowOpts) (Verifier, error) {
	if len(opts.Allow) == 0 {
		return nil, configErr(checkIPAllow, "no allowed addresses configured")
	}
	allow, err := ParsePrefixes(opts.Allow)
	if err != nil {
		return nil, err
	}
	trusted, err := ParsePrefixes(opts.TrustedProxies)
	if err != nil {
		return nil, err
	}
	return &ipAllow{allow: allow, trusted: trusted}, nil
}

type ipAllow struct{ allow, trusted []netip.Prefix }

func (v *ipAllow) Verify(r *http.Request, _ []byte) error {
	a, err := clientIP(checkIPAllow, r, v.trusted)
	if err != nil {
		return err
	}
	if !inPrefixes(a, v.allow) {
		return newErr(checkIPAllow, "", ErrForbiddenAddress, "client address "+a.String()+" is not allowed")
	}
	return nil
}

func (v *ipAllow) String() string {
	s := "client IP in " + joinPrefixes(v.allow)
	if len(v.trusted) > 0 {
		s += " (forwarded by proxies in " + joinPrefixes(v.trusted) + ")"
	}
	return s
}

// CredentialNames declares nothing: an address is not a secret.
func (*ipAllow) CredentialNames() (headers, params []string) { return nil, nil }

func joinPrefixes(ps []netip.Prefix) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		if p.IsSingleIP() {
			s[i] = p.Addr().String()
		} else {
			s[i] = p.String()
		}
	}
	return strings.Join(s, ", ")
}

// ParsePrefixes parses CIDR prefixes or single IP addresses (as /32 or /128
// prefixes). IPv4-mapped IPv6 entries are converted to IPv4. An invalid entry
// is an error wrapping ErrConfig.
func ParsePrefixes(list []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if p, err := netip.ParsePrefix(s); err == nil {
			if p.Addr().Is4In6() {
				if p.Bits() < 96 {
					return nil, configErr(checkIPAllow, "prefix "+s+" mixes IPv4-mapped and plain IPv6 addresses")
				}
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, configErr(checkIPAllow, "invalid address or prefix "+strconv.Quote(s))
		}
		a = a.WithZone("").Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}
