/**
 * Test support shared by every module: the real PostgreSQL that tests run against.
 */
@NullMarked
package com.helloapi.testing;

import org.jspecify.annotations.NullMarked;
