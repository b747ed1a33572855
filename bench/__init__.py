"""`make bench`: latency, throughput, training time, memory and accuracy of the assistant,
side by side with Rasa's default configuration (issue 9). Entry point: `python -m bench`."""
