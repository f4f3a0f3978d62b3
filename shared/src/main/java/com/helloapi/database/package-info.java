/**
 * The connection to PostgreSQL, configured from the DB_* environment that the ECS task and the Lambda function set.
 */
@NullMarked
package com.helloapi.database;

import org.jspecify.annotations.NullMarked;
