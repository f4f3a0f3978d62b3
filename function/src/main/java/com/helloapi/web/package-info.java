/**
 * HTTP concerns shared by every route, in both targets: request ids, trailing slashes, malformed query strings, the
 * optional rate limit per client, problem responses for everything the user adapter does not map itself.
 */
@NullMarked
package com.helloapi.web;

import org.jspecify.annotations.NullMarked;
