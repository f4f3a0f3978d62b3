/**
 * HTTP concerns shared by every route, in both targets: request ids (and trace ids when traced), trailing slashes,
 * malformed query strings, problem responses for everything the user adapter does not map itself.
 */
@NullMarked
package com.helloapi.web;

import org.jspecify.annotations.NullMarked;
