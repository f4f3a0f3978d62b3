/**
 * Offline checks of the deployment artifacts (ecs-stack.yaml) against the seed architecture.
 */
@NullMarked
package com.helloapi.deploy;

import org.jspecify.annotations.NullMarked;
