"""syncjobs: scheduled data syncs, orchestrated as Inngest functions."""

__version__ = "0.1.0"
