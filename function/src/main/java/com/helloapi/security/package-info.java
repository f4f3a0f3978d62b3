/**
 * Who may call what, in both targets: optional bearer-token authentication against an OIDC issuer, CORS, security
 * headers, and problem responses for every request the security filters turn away.
 */
@NullMarked
package com.helloapi.security;

import org.jspecify.annotations.NullMarked;
