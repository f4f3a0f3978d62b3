/**
 * Start-up settings: a missing or wrong one stops the application with one clear report, not a stack trace.
 */
@NullMarked
package com.helloapi.settings;

import org.jspecify.annotations.NullMarked;
