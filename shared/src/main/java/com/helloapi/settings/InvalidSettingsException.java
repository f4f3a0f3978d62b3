package com.helloapi.settings;

/** A required setting is missing or wrong; {@link SettingsFailureAnalyzer} reports it at start-up in one line. */
public class InvalidSettingsException extends IllegalStateException {

    public InvalidSettingsException(String problems) {
        super(problems);
    }
}
