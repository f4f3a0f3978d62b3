/**
 * Offline checks of the Lambda deployment template (template.yaml) against issue 3 and the ECS stack it builds on.
 */
@NullMarked
package com.helloapi.deploy;

import org.jspecify.annotations.NullMarked;
