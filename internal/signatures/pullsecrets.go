package signatures

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/docker/cli/cli/config/configfile"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	corev1 "k8s.io/api/core/v1"
)

// PullSecretKeychain returns the registry credentials of image pull
// Secrets (kubernetes.io/dockerconfigjson and kubernetes.io/dockercfg), as
// the kubelet would use them. Only the credentials written in a secret
// count: credential helpers or stores it names are never run. A secret of
// another type, or one that does not parse, is an error naming it; the
// others are used all the same.
func PullSecretKeychain(secrets []*corev1.Secret) (authn.Keychain, error) {
	var k pullSecretKeychain
	var errs []string
	for _, s := range secrets {
		var data []byte
		switch s.Type {
		case corev1.SecretTypeDockerConfigJson:
			data = s.Data[corev1.DockerConfigJsonKey]
		case corev1.SecretTypeDockercfg:
			// The legacy format is the "auths" map alone.
			data = append(append([]byte(`{"auths":`), bytes.TrimSpace(s.Data[corev1.DockerConfigKey])...), '}')
		default:
			errs = append(errs, fmt.Sprintf("%s/%s: type %s is not a pull secret", s.Namespace, s.Name, s.Type))
			continue
		}
		cf := configfile.New("")
		if err := cf.LoadFromReader(bytes.NewReader(data)); err != nil {
			errs = append(errs, fmt.Sprintf("%s/%s: %v", s.Namespace, s.Name, err))
			continue
		}
		for server, auth := range cf.GetAuthConfigs() {
			k = append(k, pullCredential{registry: registryOf(server), config: authn.AuthConfig{Username: auth.Username,
				Password: auth.Password, IdentityToken: auth.IdentityToken, RegistryToken: auth.RegistryToken}})
		}
	}
	if len(errs) > 0 {
		return k, fmt.Errorf("pull secrets %s", strings.Join(errs, "; "))
	}
	return k, nil
}

// pullCredential is one registry's credentials from a pull secret.
type pullCredential struct {
	registry string
	config   authn.AuthConfig
}

// pullSecretKeychain finds a resource's registry among pull secrets'.
type pullSecretKeychain []pullCredential

// Resolve returns the first credentials for r's registry; anonymous when
// none.
func (k pullSecretKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	want := registryOf(r.RegistryStr())
	for _, c := range k {
		if c.registry == want {
			return authn.FromConfig(c.config), nil
		}
	}
	return authn.Anonymous, nil
}

// registryOf normalizes a docker config key ("https://index.docker.io/v1/",
// "registry.example.com:5000/path") to the registry's host and port, with
// Docker Hub's aliases as one.
func registryOf(server string) string {
	host := server
	if i := strings.Index(host, "://"); i >= 0 {
		host = host[i+3:]
	}
	if i := strings.IndexByte(host, '/'); i >= 0 {
		host = host[:i]
	}
	switch host {
	case "docker.io", "index.docker.io", "registry-1.docker.io":
		return name.DefaultRegistry
	}
	return host
}
