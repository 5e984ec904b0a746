"""Written notices to the citizen (告知书, 信访处理意见书): content, HTML templates and PDF."""
